// Stops the local infrastructure that this project started (by pid files); others are left alone.
import { stopInfrastructure } from '../infrastructure.ts';

const startedAt = Date.now();
await stopInfrastructure();
console.log(`infrastructure stopped in ${Date.now() - startedAt} ms`);
