# One image for the five services; SERVICE_ENTRY picks which one runs.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build stage
# beyond installing dependencies and generating the Prisma clients / GraphQL types.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY write-services ./write-services
COPY gateway ./gateway
COPY read-model ./read-model
COPY infra ./infra
COPY e2e ./e2e
COPY prisma ./prisma
COPY schema.graphql codegen.yml ./
RUN npm ci --no-audit --no-fund && PLATFORM_STATE_DIR=/tmp/state node infra/src/cli/generate.ts
ENV NODE_ENV=production \
    NODE_OPTIONS="--conditions=source --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning"
USER node
CMD ["sh", "-c", "exec node $SERVICE_ENTRY"]
