import { existsSync } from 'node:fs';
import type { Component } from './component.ts';
import { installDebianPackages } from '../install/debianPackages.ts';

/** How a component from a Debian package is installed: it is there once its server binary is. */
export function debianInstallation(server: string, debianPackage: string): Pick<Component, 'isInstalled' | 'install'> {
  return {
    isInstalled: () => Promise.resolve(existsSync(server)),
    install: () => installDebianPackages([debianPackage]),
  };
}
