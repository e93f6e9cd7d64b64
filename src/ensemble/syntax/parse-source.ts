import type { CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostic.js';
import type { RenderedSource } from '../liquid-render.js';
import type { RealPosition } from '../source-map.js';
import type { SourceRegistry } from '../source-registry.js';
import { decodeString, parseDuration, parsePercent, parseSize } from '../values.js';
import type { FieldNode, ModifierNode, Origin, StatementNode, ValueNode } from './ast.js';
import { ensembleParser } from './parser.js';
import { ensembleLexer } from './tokens.js';

/** A name written bare or quoted. */
const nameText = (t: IToken): string => (t.image.startsWith('"') ? decodeString(t.image) : t.image);

type Children = Record<string, (CstNode | IToken)[] | undefined>;

const kids = (n: CstNode | undefined): Children => (n?.children ?? {}) as Children;
const tok = (c: Children, name: string, i = 0): IToken | undefined => c[name]?.[i] as IToken | undefined;
const node = (c: Children, name: string, i = 0): CstNode | undefined => c[name]?.[i] as CstNode | undefined;
const nodes = (c: Children, name: string): CstNode[] => (c[name] ?? []) as CstNode[];
/** The first token among a node's children (for single-token alternatives). */
const firstToken = (c: Children): IToken | undefined => {
  for (const k in c) {
    const first = c[k]?.[0];
    if (first !== undefined) return first as IToken;
  }
  return undefined;
};

/**
 * Lex and parse rendered text into statements with real positions. Syntax
 * errors (all of them, thanks to Chevrotain's recovery) become diagnostics;
 * statements the parser had to recover are marked `recovered`.
 */
export function parseSource(src: RenderedSource, origin: Origin, registry: SourceRegistry, diagnostics: Diagnostic[]): StatementNode[] {
  const at = (line: number, column: number): RealPosition => src.map.locate(line, column);
  const posOf = (t: IToken): RealPosition => at(t.startLine ?? 1, t.startColumn ?? 1);
  const report = (pos: RealPosition, message: string): void => {
    diagnostics.push({ code: 'ENS_E_PARSE', file: pos.file, line: pos.line, column: pos.column, message, sourceLine: registry.line(pos.file, pos.line) });
  };

  const lexed = ensembleLexer.tokenize(src.text);
  for (const e of lexed.errors) {
    const ch = src.text.slice(e.offset, e.offset + (e.length || 1));
    report(at(e.line ?? 1, e.column ?? 1), `unexpected character "${ch}"`);
  }
  const unterminatedComment = (lexed.groups['errors'] ?? []).length > 0;
  for (const t of lexed.groups['errors'] ?? []) report(posOf(t), 'unterminated block comment: "/*" has no closing "*/"');
  for (const t of lexed.tokens) if (t.tokenType.name === 'UnterminatedString') report(posOf(t), 'unterminated string: missing closing quote on this line');

  ensembleParser.input = lexed.tokens;
  const cst = ensembleParser.parseFile();
  for (const e of ensembleParser.errors) {
    const t = e.token;
    if (t.tokenType.name === 'EOF' && unterminatedComment) continue;
    if (t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset)) {
      const last = lexed.tokens[lexed.tokens.length - 1];
      report(last ? at(last.endLine ?? 1, (last.endColumn ?? 0) + 1) : at(1, 1), e.message);
    } else {
      report(posOf(t), e.message);
    }
  }

  const modifiers = (c: Children): { conditions: ModifierNode[]; on: ModifierNode | null } => {
    const conditions: ModifierNode[] = [];
    let on: ModifierNode | null = null;
    for (const m of nodes(c, 'modifier')) {
      const mc = kids(m);
      const cond = tok(mc, 'condition');
      const nodeTok = tok(mc, 'node');
      if (cond && !Number.isNaN(cond.startOffset)) conditions.push({ text: decodeString(cond.image), pos: at(cond.startLine ?? 1, (cond.startColumn ?? 1) + 1) });
      if (nodeTok && !Number.isNaN(nodeTok.startOffset)) {
        const mod = { text: decodeString(nodeTok.image), pos: at(nodeTok.startLine ?? 1, (nodeTok.startColumn ?? 1) + 1) };
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

  const value = (v: CstNode | undefined): ValueNode => {
    const c = kids(v);
    const list = node(c, 'list');
    if (list) {
      const lt = tok(kids(list), 'LSquare');
      return { kind: 'list', items: nodes(kids(list), 'value').map(value), pos: lt ? posOf(lt) : at(1, 1) };
    }
    const block = node(c, 'block');
    if (block) return blockValue(block);
    const t = firstToken(c);
    if (!t || Number.isNaN(t.startOffset)) return { kind: 'invalid', raw: '', pos: t ? posOf(t) : at(1, 1) };
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

  const fieldsOf = (container: CstNode | undefined): FieldNode[] => fieldList(nodes(kids(container), 'field'));

  const fieldList = (list: CstNode[]): FieldNode[] => {
    const out: FieldNode[] = [];
    for (const f of list) {
      const fc = kids(f);
      const k = firstToken(kids(node(fc, 'key')));
      if (!k || Number.isNaN(k.startOffset)) continue;
      const key = nameText(k);
      const b = node(fc, 'block');
      const v = b ? blockValue(b) : value(node(fc, 'value'));
      out.push({ key, keyPos: posOf(k), value: v });
    }
    return out;
  };

  const blockValue = (b: CstNode): ValueNode => {
    const lc = tok(kids(b), 'LCurly');
    return { kind: 'block', fields: fieldsOf(b), pos: lc ? posOf(lc) : at(1, 1) };
  };

  const bodyFields = (body: CstNode | undefined): { fields: FieldNode[]; children: CstNode[] } => {
    const fields: FieldNode[] = [];
    const children: CstNode[] = [];
    for (const item of nodes(kids(body), 'bodyItem')) {
      const ic = kids(item);
      const sr = node(ic, 'serviceRunner');
      if (sr) children.push(sr);
      const f = node(ic, 'field');
      if (f) fields.push(...fieldList([f]));
    }
    return { fields, children };
  };

  const header = (h: CstNode | undefined, fallback: RealPosition): { name: string | null; namePos: RealPosition; path: string; pathPos: RealPosition } => {
    const hc = kids(h);
    const nameTok = tok(hc, 'name');
    const pathTok = tok(hc, 'path');
    const first = tok(hc, 'first');
    const second = tok(hc, 'second');
    const valid = (t: IToken | undefined): t is IToken => t !== undefined && !Number.isNaN(t.startOffset);
    if (valid(nameTok) && valid(pathTok)) return { name: nameText(nameTok), namePos: posOf(nameTok), path: decodeString(pathTok.image), pathPos: posOf(pathTok) };
    if (valid(first) && valid(second)) return { name: decodeString(first.image), namePos: posOf(first), path: decodeString(second.image), pathPos: posOf(second) };
    if (valid(first)) return { name: null, namePos: posOf(first), path: decodeString(first.image), pathPos: posOf(first) };
    return { name: valid(nameTok) ? nameTok.image : null, namePos: fallback, path: '', pathPos: fallback };
  };

  const runner = (r: CstNode, keyword: IToken | undefined, body: CstNode | undefined): StatementNode => {
    const rc = kids(r);
    const pos = keyword ? posOf(keyword) : at(1, 1);
    const h = node(rc, 'runnerHeader');
    const { fields, children } = bodyFields(body);
    return {
      type: 'runner',
      ...header(h, pos),
      ...modifiers(kids(h)),
      fields,
      children: children.map((c) => runner(c, tok(kids(c), 'Service'), node(kids(c), 'runnerBody')) as never),
      pos,
      origin,
      recovered: r.recoveredNode === true || h?.recoveredNode === true || body?.recoveredNode === true,
    };
  };

  const out: StatementNode[] = [];
  for (const st of nodes(kids(cst), 'statement')) {
    const sc = kids(st);
    const imp = node(sc, 'importStatement');
    const run = node(sc, 'runnerStatement');
    const comp = node(sc, 'composeStatement');
    const net = node(sc, 'networkStatement');
    if (imp) {
      const p = tok(kids(imp), 'path');
      if (p && !Number.isNaN(p.startOffset)) out.push({ type: 'import', path: decodeString(p.image), pos: posOf(p), origin });
    } else if (run) {
      const rc = kids(run);
      out.push(runner(run, tok(rc, 'Runner'), node(rc, 'runnerBody')));
    } else if (comp) {
      const cc = kids(comp);
      const kw = tok(cc, 'Compose');
      const pos = kw ? posOf(kw) : at(1, 1);
      const kindTok = tok(cc, 'kind');
      const nameTok = tok(cc, 'name');
      const pathTok = tok(cc, 'path');
      const block = node(cc, 'block');
      const lc = tok(kids(block), 'LCurly');
      const rcTok = tok(kids(block), 'RCurly');
      const ok = (t: IToken | undefined): t is IToken => t !== undefined && !Number.isNaN(t.startOffset);
      const blockText =
        ok(lc) && ok(rcTok) ? src.map.embed(src.text.slice(lc.startOffset, (rcTok.endOffset ?? rcTok.startOffset) + 1), lc.startLine ?? 1, lc.startColumn ?? 1) : '{}';
      out.push({
        type: 'compose',
        kind: kindTok?.image ?? '',
        kindPos: ok(kindTok) ? posOf(kindTok) : pos,
        name: ok(nameTok) ? nameText(nameTok) : '',
        namePos: ok(nameTok) ? posOf(nameTok) : pos,
        path: ok(pathTok) ? decodeString(pathTok.image) : '',
        pathPos: ok(pathTok) ? posOf(pathTok) : pos,
        ...modifiers(cc),
        fields: block ? fieldsOf(block) : [],
        blockText,
        pos,
        origin,
        recovered: comp.recoveredNode === true || block?.recoveredNode === true || !ok(pathTok),
      });
    } else if (net) {
      const nc = kids(net);
      const kw = tok(nc, 'Network');
      const nameTok = tok(nc, 'name');
      const block = node(nc, 'block');
      out.push({
        type: 'network',
        name: nameTok && !Number.isNaN(nameTok.startOffset) ? nameText(nameTok) : '',
        fields: block ? fieldsOf(block) : [],
        pos: kw ? posOf(kw) : at(1, 1),
        origin,
        recovered: net.recoveredNode === true || block?.recoveredNode === true,
      });
    }
  }
  return out;
}
