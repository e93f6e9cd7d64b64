/**
 * Nodes of the file view tree. The tree is built lazily: a directory computes
 * its entries and children on demand, so listings always reflect units,
 * services and resources as they come and go.
 */

/** How a file may be used; decides its mode bits and which opens are refused. */
export type FileAccess = 'read-only' | 'read-write' | 'write-only';

/** A directory. */
export interface DirNode {
  readonly kind: 'dir';
  /** Names of the children, sorted. */
  entries(): Promise<string[]>;
  /** The child called `name`, or null when there is none. */
  child(name: string): Promise<TreeNode | null>;
}

/**
 * A file. Contents are text and always end with a newline. Writes are
 * line-oriented: `write` receives one line without its newline.
 */
export interface FileNode {
  readonly kind: 'file';
  readonly access: FileAccess;
  /** The current content (ends with `\n`). Not called for write-only files. */
  read(): Promise<string>;
  /** Apply one written line. Absent on read-only files. */
  write?(line: string): Promise<void>;
  /**
   * Push-based watching: the current content, then every new content, until
   * the returned function is called. Files without it are watched by polling.
   */
  watch?(onContent: (content: string) => void, onError: (e: unknown) => void): () => void;
  /**
   * When the current content is known to have arrived (a pushed value), in
   * ms since the epoch; undefined when unknown. Makes the file's mtime the
   * time of the change rather than the time the view first saw it.
   */
  changedAt?(): number | undefined;
}

/** Any node of the tree. */
export type TreeNode = DirNode | FileNode;

/** A directory with a fixed set of children. */
export function staticDir(children: Readonly<Record<string, TreeNode>>): DirNode {
  return {
    kind: 'dir',
    entries: () => Promise.resolve(Object.keys(children).sort()),
    child: (name) => Promise.resolve(Object.hasOwn(children, name) ? (children[name] ?? null) : null),
  };
}

/** A directory whose children come from `names` and are built by `make`. */
export function dynamicDir(names: () => Promise<string[]>, make: (name: string) => TreeNode | Promise<TreeNode | null>): DirNode {
  return {
    kind: 'dir',
    entries: async () => [...(await names())].sort(),
    child: async (name) => ((await names()).includes(name) ? await make(name) : null),
  };
}

/** A read-only file whose content is `line` plus a newline. */
export function valueFile(line: () => Promise<string>, watch?: FileNode['watch']): FileNode {
  return { kind: 'file', access: 'read-only', read: async () => `${await line()}\n`, ...(watch ? { watch } : {}) };
}
