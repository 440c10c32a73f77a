import { renameSync, rmSync } from 'node:fs';

/**
 * Fills `folder` anew through a temporary sibling that takes its place only once `fill`
 * has succeeded: an interrupted fill is redone at the next call, never taken for complete.
 */
export async function replaceFolder(folder: string, fill: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${folder}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await fill(partial);
  rmSync(folder, { recursive: true, force: true });
  renameSync(partial, folder);
}
