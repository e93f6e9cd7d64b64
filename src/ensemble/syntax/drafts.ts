import type { IToken } from 'chevrotain';

// Optional slots are written as `x?: T` but every draft is created with all
// of its slots (as undefined): objects of one kind then share one shape and
// keep their fields inline, which matters with hundreds of thousands of them.

/**
 * What the parser builds while it parses: one small draft per rule
 * invocation, holding the tokens the syntax tree needs. A draft is attached
 * to its parent's draft when its rule starts, so a rule that fails still
 * leaves its partial draft in place, marked `recovered` (as Chevrotain's
 * concrete syntax tree keeps partial nodes after error recovery).
 * parse-source turns drafts into the syntax tree of ast.ts.
 */
export type Draft =
  | FileDraft
  | ImportDraft
  | RunnerDraft
  | HeaderDraft
  | ModifierDraft
  | BodyDraft
  | FieldDraft
  | ValueDraft
  | ListDraft
  | BlockDraft
  | ComposeDraft
  | NetworkDraft;

/** Fields every draft has. */
interface DraftBase {
  /**
   * True when a syntax error was recorded while the rule ran, in it or in a
   * rule it invoked (its draft, or a draft inside it, is partial).
   */
  recovered: boolean;
}

/** The whole file. */
export interface FileDraft extends DraftBase {
  readonly kind: 'file';
  readonly statements: StatementDraft[];
}

/** A top-level statement. */
export type StatementDraft = ImportDraft | RunnerDraft | ComposeDraft | NetworkDraft;

/** `import "path"`. */
export interface ImportDraft extends DraftBase {
  readonly kind: 'import';
  path?: IToken;
}

/** `runner …` or `service runner …` (keyword: `runner` or `service`). */
export interface RunnerDraft extends DraftBase {
  readonly kind: 'runner';
  keyword?: IToken;
  header?: HeaderDraft;
  body?: BodyDraft;
}

/** `[NAME] "PATH" { if … | on … }`. */
export interface HeaderDraft extends DraftBase {
  readonly kind: 'header';
  name?: IToken;
  path?: IToken;
  first?: IToken;
  second?: IToken;
  readonly modifiers: ModifierDraft[];
}

/** `if "…"` or `on "…"`. */
export interface ModifierDraft extends DraftBase {
  readonly kind: 'modifier';
  condition?: IToken;
  node?: IToken;
}

/** A runner's `{ … }`: fields and service runners, each in source order. */
export interface BodyDraft extends DraftBase {
  readonly kind: 'body';
  readonly fields: FieldDraft[];
  readonly children: RunnerDraft[];
}

/** `key: value` or `key { … }`. */
export interface FieldDraft extends DraftBase {
  readonly kind: 'field';
  key?: IToken;
  value?: ValueDraft;
  block?: BlockDraft;
}

/** A value: one token, a list or a block. */
export interface ValueDraft extends DraftBase {
  readonly kind: 'value';
  token?: IToken;
  list?: ListDraft;
  block?: BlockDraft;
}

/** `[ value, … ]`. */
export interface ListDraft extends DraftBase {
  readonly kind: 'list';
  open?: IToken;
  readonly items: ValueDraft[];
}

/** `{ field … }`. */
export interface BlockDraft extends DraftBase {
  readonly kind: 'block';
  open?: IToken;
  close?: IToken;
  readonly fields: FieldDraft[];
}

/** `compose KIND NAME "PATH" { if | on } [ block ]`. */
export interface ComposeDraft extends DraftBase {
  readonly kind: 'compose';
  keyword?: IToken;
  kindName?: IToken;
  name?: IToken;
  path?: IToken;
  readonly modifiers: ModifierDraft[];
  block?: BlockDraft;
}

/** `network NAME block`. */
export interface NetworkDraft extends DraftBase {
  readonly kind: 'network';
  keyword?: IToken;
  name?: IToken;
  block?: BlockDraft;
}

/**
 * Attach a draft to the draft of the rule that invoked its rule (the same
 * place the grammar puts it). Unexpected pairs cannot happen with the
 * grammar in parser.ts; they are ignored.
 */
export function attachDraft(parent: Draft, child: Draft): void {
  switch (child.kind) {
    case 'import':
    case 'compose':
    case 'network':
      if (parent.kind === 'file') parent.statements.push(child);
      return;
    case 'runner':
      if (parent.kind === 'file') parent.statements.push(child);
      else if (parent.kind === 'body') parent.children.push(child);
      return;
    case 'header':
      if (parent.kind === 'runner') parent.header = child;
      return;
    case 'modifier':
      if (parent.kind === 'header' || parent.kind === 'compose') parent.modifiers.push(child);
      return;
    case 'body':
      if (parent.kind === 'runner') parent.body = child;
      return;
    case 'field':
      if (parent.kind === 'body' || parent.kind === 'block') parent.fields.push(child);
      return;
    case 'value':
      if (parent.kind === 'field') parent.value = child;
      else if (parent.kind === 'list') parent.items.push(child);
      return;
    case 'list':
      if (parent.kind === 'value') parent.list = child;
      return;
    case 'block':
      if (parent.kind === 'value' || parent.kind === 'field' || parent.kind === 'compose' || parent.kind === 'network') parent.block = child;
      return;
    case 'file':
      return;
  }
}
