import type { IToken } from 'chevrotain';
import type { RenderedSource } from '../liquid-render.js';
import type { RealPosition } from '../source-map.js';
import { parseDuration } from '../../common/duration.js';
import { parsePercent } from '../../common/percent.js';
import { parseSize } from '../../common/size.js';
import { decodeString } from './decode-string.js';
import type { FieldNode, ModifierNode, Origin, RunnerNode, StatementNode, ValueNode } from './ast.js';
import type { LineIndex } from './line-index.js';
import type { BlockDraft, ComposeDraft, FieldDraft, HeaderDraft, ModifierDraft, NetworkDraft, RunnerDraft, StatementDraft, ValueDraft } from './drafts.js';

/** What {@link statementBuilder} needs besides the drafts. */
export interface SyntaxTreeContext {
  /** The rendered text the tokens come from, with its map to real positions. */
  readonly src: RenderedSource;
  /** Lines of `src.text` (tokens carry offsets only). */
  readonly lines: LineIndex;
  readonly origin: Origin;
  /** Report a problem found while building the tree (modifier misuse). */
  readonly report: (pos: RealPosition, message: string) => void;
}

/** No modifiers (a header the parser never reached). */
const NONE: readonly ModifierDraft[] = [];

/** A token the parser really read (not one it inserted while recovering). */
const real = (t: IToken | undefined): t is IToken => t !== undefined && !Number.isNaN(t.startOffset);

/** A name written bare or quoted. */
const nameText = (t: IToken): string => (t.image.startsWith('"') ? decodeString(t.image) : t.image);

/**
 * A function that turns a statement's draft into a statement with real
 * positions. Partial drafts (syntax errors) become statements marked
 * `recovered`, or nothing (undefined) when no usable part was read.
 */
export function statementBuilder(ctx: SyntaxTreeContext): (st: StatementDraft) => StatementNode | undefined {
  const { src, lines, origin, report } = ctx;
  const at = (line: number, column: number): RealPosition => src.map.locate(line, column);
  /** Where a token starts, `shift` columns further. */
  const posOf = (t: IToken, shift = 0): RealPosition => {
    const line = lines.line(t.startOffset);
    return at(line, lines.column(t.startOffset, line) + shift);
  };

  const modifiers = (list: readonly ModifierDraft[]): { conditions: ModifierNode[]; on: ModifierNode | null } => {
    const conditions: ModifierNode[] = [];
    let on: ModifierNode | null = null;
    for (const m of list) {
      const cond = m.condition;
      const nodeTok = m.node;
      // The text of a modifier starts after its opening quote.
      if (real(cond)) conditions.push({ text: decodeString(cond.image), pos: posOf(cond, 1) });
      if (real(nodeTok)) {
        const mod = { text: decodeString(nodeTok.image), pos: posOf(nodeTok, 1) };
        if (on) report(mod.pos, `"on" is given twice for this statement (first: "${on.text}")`);
        else on = mod;
      }
    }
    if (conditions.length > 1) {
      const second = conditions[1] as ModifierNode;
      report(second.pos, 'only one "if" condition is allowed per statement (combine them with "and")');
    }
    return { conditions, on };
  };

  const scalar = (t: IToken): ValueNode => {
    const pos = posOf(t);
    switch (t.tokenType.name) {
      case 'StringLiteral':
      case 'UnterminatedString':
        return { kind: 'string', value: decodeString(t.image), pos };
      case 'Duration':
        return { kind: 'duration', ms: parseDuration(t.image) ?? 0, raw: t.image, pos };
      case 'Size':
        return { kind: 'size', bytes: parseSize(t.image) ?? 0, raw: t.image, pos };
      case 'Percent':
        return { kind: 'percent', value: parsePercent(t.image) ?? 0, raw: t.image, pos };
      case 'NumberLiteral':
        return { kind: 'number', value: Number(t.image), raw: t.image, pos };
      case 'BadNumber':
        return { kind: 'invalid', raw: t.image, pos };
      case 'True':
        return { kind: 'boolean', value: true, pos };
      case 'False':
        return { kind: 'boolean', value: false, pos };
      default:
        return { kind: 'word', value: t.image, pos };
    }
  };

  // Every position below is a token the parser read. Where a draft is partial, the
  // position of what encloses it stands in (its statement is `recovered` and not compiled).

  // A value the parser could not read at all is `invalid` (the syntax error is reported already).
  const value = (v: ValueDraft | undefined, fallback: RealPosition): ValueNode => {
    if (v?.list) {
      const lt = v.list.open;
      const pos = real(lt) ? posOf(lt) : fallback;
      return { kind: 'list', items: v.list.items.map((item) => value(item, pos)), pos };
    }
    if (v?.block) return blockValue(v.block, fallback);
    const t = v?.token;
    if (!real(t)) return { kind: 'invalid', raw: '', pos: fallback };
    return scalar(t);
  };

  const fieldList = (list: readonly FieldDraft[]): FieldNode[] => {
    const out: FieldNode[] = [];
    for (const f of list) {
      const k = f.key;
      if (!real(k)) continue;
      const keyPos = posOf(k);
      const v = f.block ? blockValue(f.block, keyPos) : value(f.value, keyPos);
      out.push({ key: nameText(k), keyPos, value: v });
    }
    return out;
  };

  const blockValue = (b: BlockDraft, fallback: RealPosition): ValueNode => {
    const lc = b.open;
    return { kind: 'block', fields: fieldList(b.fields), pos: real(lc) ? posOf(lc) : fallback };
  };

  const header = (h: HeaderDraft | undefined, fallback: RealPosition): { name: string | null; namePos: RealPosition; path: string; pathPos: RealPosition } => {
    const nameTok = h?.name;
    const pathTok = h?.path;
    const first = h?.first;
    const second = h?.second;
    if (real(nameTok) && real(pathTok)) return { name: nameText(nameTok), namePos: posOf(nameTok), path: decodeString(pathTok.image), pathPos: posOf(pathTok) };
    if (real(first) && real(second)) return { name: decodeString(first.image), namePos: posOf(first), path: decodeString(second.image), pathPos: posOf(second) };
    if (real(first)) return { name: null, namePos: posOf(first), path: decodeString(first.image), pathPos: posOf(first) };
    return { name: real(nameTok) ? nameTok.image : null, namePos: fallback, path: '', pathPos: fallback };
  };

  /** Runners whose keyword was read (the rest of a runner is positioned relative to it). */
  const runners = (list: readonly RunnerDraft[]): RunnerNode[] => {
    const out: RunnerNode[] = [];
    for (const r of list) if (real(r.keyword)) out.push(runner(r, posOf(r.keyword)));
    return out;
  };

  const runner = (r: RunnerDraft, pos: RealPosition): RunnerNode => {
    const h = r.header;
    const fields = r.body ? fieldList(r.body.fields) : [];
    const { name, namePos, path, pathPos } = header(h, pos);
    const { conditions, on } = modifiers(h?.modifiers ?? NONE);
    return {
      type: 'runner',
      name,
      namePos,
      path,
      pathPos,
      conditions,
      on,
      fields,
      children: r.body ? runners(r.body.children) : [],
      pos,
      origin,
      recovered: r.recovered,
    };
  };

  const compose = (st: ComposeDraft, pos: RealPosition): StatementNode => {
    const kindTok = st.kindName;
    const nameTok = st.name;
    const pathTok = st.path;
    const block = st.block;
    const lc = block?.open;
    const rc = block?.close;
    const lcLine = real(lc) ? lines.line(lc.startOffset) : 1;
    const blockText = real(lc) && real(rc) ? src.map.embed(src.text.slice(lc.startOffset, rc.startOffset + rc.image.length), lcLine, lines.column(lc.startOffset, lcLine)) : '{}';
    const kindPos = real(kindTok) ? posOf(kindTok) : pos;
    const namePos = real(nameTok) ? posOf(nameTok) : pos;
    const pathPos = real(pathTok) ? posOf(pathTok) : pos;
    const { conditions, on } = modifiers(st.modifiers);
    return {
      type: 'compose',
      kind: real(kindTok) ? kindTok.image : '',
      kindPos,
      name: real(nameTok) ? nameText(nameTok) : '',
      namePos,
      path: real(pathTok) ? decodeString(pathTok.image) : '',
      pathPos,
      conditions,
      on,
      fields: block ? fieldList(block.fields) : [],
      blockText,
      pos,
      origin,
      recovered: st.recovered,
    };
  };

  const network = (st: NetworkDraft, pos: RealPosition): StatementNode => ({
    type: 'network',
    name: real(st.name) ? nameText(st.name) : '',
    fields: st.block ? fieldList(st.block.fields) : [],
    pos,
    origin,
    recovered: st.recovered,
  });

  return (st: StatementDraft): StatementNode | undefined => {
    if (st.kind === 'import') return real(st.path) ? { type: 'import', path: decodeString(st.path.image), pos: posOf(st.path), origin } : undefined;
    // A statement's rule starts on its keyword, so the keyword is always read.
    if (!real(st.keyword)) return undefined;
    const pos = posOf(st.keyword);
    switch (st.kind) {
      case 'runner':
        return runner(st, pos);
      case 'compose':
        return compose(st, pos);
      case 'network':
        return network(st, pos);
    }
  };
}
