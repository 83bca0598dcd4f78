// The host file system, where there is one: the Node entry registers node:fs here, so browser
// bundles never import it. Folder paths as sources and targets go through this interface.

/** What webgrad needs from a file system. */
export interface HostFiles {
  /** The file's bytes, or null when it does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  /** Writes the file, creating its folder; replaces it atomically where the platform can. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  join(...parts: string[]): string;
  /**
   * Where webgrad keeps what it measured about this machine (kernel timings): the
   * `WEBGRAD_CACHE_DIR` environment variable, else `webgrad` in the user's cache folder; none when empty.
   */
  readonly cacheFolder?: string;
  /** The system's data set folders by name (`fashionMnist`, `mnist`), from config/system-paths.json. */
  readonly dataFolders: Readonly<Record<string, string>>;
}

let files: HostFiles | null = null;

/** @internal Called once by the Node entry. */
export function setHostFiles(f: HostFiles): void {
  files = f;
}

/** The registered file system, or null in a browser. */
export function hostFiles(): HostFiles | null {
  return files;
}

/** True for `http:`/`https:`/`blob:`/`data:` and other scheme-prefixed addresses (not `C:\`). */
export function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
}
