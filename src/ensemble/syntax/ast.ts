import type { RealPosition } from '../source-map.js';

/**
 * The syntax tree after rendering, with real positions. Values keep what
 * they were written as (a bare `30s` is a duration, `"30s"` a string): the
 * field compilers decide what each field accepts.
 */
export type ValueNode =
  | { readonly kind: 'string'; readonly value: string; readonly pos: RealPosition }
  | { readonly kind: 'number'; readonly value: number; readonly raw: string; readonly pos: RealPosition }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly pos: RealPosition }
  | { readonly kind: 'duration'; readonly ms: number; readonly raw: string; readonly pos: RealPosition }
  | { readonly kind: 'size'; readonly bytes: number; readonly raw: string; readonly pos: RealPosition }
  | { readonly kind: 'percent'; readonly value: number; readonly raw: string; readonly pos: RealPosition }
  | { readonly kind: 'word'; readonly value: string; readonly pos: RealPosition }
  | { readonly kind: 'list'; readonly items: readonly ValueNode[]; readonly pos: RealPosition }
  | { readonly kind: 'block'; readonly fields: readonly FieldNode[]; readonly pos: RealPosition }
  | { readonly kind: 'invalid'; readonly raw: string; readonly pos: RealPosition };

/** `key: value` or `key { … }`. */
export interface FieldNode {
  readonly key: string;
  readonly keyPos: RealPosition;
  readonly value: ValueNode;
}

/** A quoted string operand of `if`/`on`, with where its text starts. */
export interface ModifierNode {
  readonly text: string;
  /** Position of the first character inside the quotes. */
  readonly pos: RealPosition;
}

/** Where a statement came from: its declaring file decides relative paths. */
export interface Origin {
  /** Absolute path of the file that declared it (for compose templates: the file with the compose statement). */
  readonly file: string;
  /** Set when the statement was produced by `compose KIND …`. */
  readonly compose: string | null;
}

/** What `runner` and `compose` statements share after the name: `"PATH" [if …] [on …]` and the fields. */
export interface ProgramStatement {
  readonly namePos: RealPosition;
  readonly path: string;
  readonly pathPos: RealPosition;
  readonly conditions: readonly ModifierNode[];
  readonly on: ModifierNode | null;
  readonly fields: readonly FieldNode[];
}

/** `runner [NAME] "PATH" [if …] [on …] { … }` and `service runner …`. */
export interface RunnerNode extends ProgramStatement {
  readonly type: 'runner';
  readonly name: string | null;
  readonly children: readonly RunnerNode[];
  readonly pos: RealPosition;
  readonly origin: Origin;
  /** True when the statement has a syntax error anywhere in it (it is not compiled). */
  readonly recovered: boolean;
}

/** `import "path"`. */
export interface ImportNode {
  readonly type: 'import';
  readonly path: string;
  readonly pos: RealPosition;
  readonly origin: Origin;
}

/** `compose KIND NAME "PATH" [if …] [on …] [{ … }]`. */
export interface ComposeNode extends ProgramStatement {
  readonly type: 'compose';
  readonly kind: string;
  readonly kindPos: RealPosition;
  readonly name: string;
  /** The `{ … }` text with position markers (what `{{ properties }}` prints in templates). */
  readonly blockText: string;
  readonly pos: RealPosition;
  readonly origin: Origin;
  /** True when the statement has a syntax error anywhere in it (it is not expanded). */
  readonly recovered: boolean;
}

/** `network NAME { … }`. */
export interface NetworkNode {
  readonly type: 'network';
  readonly name: string;
  readonly fields: readonly FieldNode[];
  readonly pos: RealPosition;
  readonly origin: Origin;
  /** True when the statement has a syntax error anywhere in it (it is not compiled). */
  readonly recovered: boolean;
}

/** Any top-level statement. */
export type StatementNode = ImportNode | RunnerNode | ComposeNode | NetworkNode;
