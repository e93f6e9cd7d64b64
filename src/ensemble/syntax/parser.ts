import type { IOrAlt, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { EmbeddedActionsParser, EOF, tokenMatcher } from './chevrotain.js';
import {
  attachDraft,
  type BlockDraft,
  type BodyDraft,
  type ComposeDraft,
  type Draft,
  type FieldDraft,
  type FileDraft,
  type HeaderDraft,
  type ImportDraft,
  type ListDraft,
  type ModifierDraft,
  type NetworkDraft,
  type RunnerDraft,
  type StatementDraft,
  type ValueDraft,
} from './drafts.js';
import { MAX_NESTING, MAX_NESTING_STOPS, MAX_RECOVERY_SCAN, MAX_SYNTAX_ERRORS } from '../limits.js';
import { countedMessages, type ErrorCount } from './counted-messages.js';
import { errorMessages } from './error-messages.js';
import { ParseAbort, type ParseStop } from './parse-abort.js';
import * as T from './tokens.js';

/** What {@link EnsembleParser.parseFile} found besides the statements. */
export interface ParseResult {
  readonly errors: IRecognitionException[];
  /** Where parsing stopped: each statement nested too deeply, and too many errors (parsing ends there). */
  readonly stops: ParseStop[];
}

/** Chevrotain's token position (public methods its typings leave out). */
interface LexerState {
  exportLexerState(): number;
  importLexerState(index: number): void;
}

/** Chevrotain's documented hook after a top rule and the recovery methods overridden below, which its typings leave out. */
interface ParseHooks {
  onAfterParse(ruleName: string): void;
  flattenFollowSet(): TokenType[];
  tryInRepetitionRecovery(...args: unknown[]): void;
}

const chevrotainParser = EmbeddedActionsParser.prototype as unknown as ParseHooks;

/** Draft kinds that open a bracket and nest: blocks, lists and runner bodies. */
const NESTING = new Set<Draft['kind']>(['block', 'list', 'body']);

/**
 * The index to resume parsing at after a statement was nested too deeply:
 * past the bracket that closes the outermost one open (`depth` are open
 * before `tokens[at]`), or -1 at the end of the file.
 */
function resumeAfter(tokens: readonly IToken[], at: number, depth: number): number {
  let open = depth;
  for (let i = at; i < tokens.length; i++) {
    const type = (tokens[i] as IToken).tokenType;
    if (type === T.LCurly || type === T.LSquare) open++;
    else if ((type === T.RCurly || type === T.RSquare) && --open <= 0) return i + 1 < tokens.length ? i + 1 : -1;
  }
  return -1;
}

// Options objects are shared: a literal in a rule would be allocated on every invocation.
const PATH = { LABEL: 'path' };
const NAME = { LABEL: 'name' };
const FIRST = { LABEL: 'first' };
const SECOND = { LABEL: 'second' };
const CONDITION = { LABEL: 'condition' };
const NODE = { LABEL: 'node' };
const KIND = { LABEL: 'kind' };

/**
 * The ensemble grammar (Chevrotain). grammar/ensemble.ebnf describes the same
 * rules; grammar/diagrams.html is generated from this class.
 *
 * The rules build drafts (drafts.ts) directly instead of a concrete syntax
 * tree, which is several times cheaper on large files. Following
 * Chevrotain's performance guide, the closures and `OR` alternative arrays
 * are created once per parser, not on every rule invocation.
 */
export class EnsembleParser extends EmbeddedActionsParser {
  /** Drafts of the rules being parsed, innermost last. */
  readonly #open: Draft[] = [];
  /** Collects each top-level statement's draft until it is drained. */
  readonly #root: FileDraft = { kind: 'file', statements: [], recovered: false };
  #sink: ((statement: StatementDraft) => void) | null = null;
  /** Syntax errors recorded for the current input (the length of `errors`, without copying it). */
  readonly #errorCount: ErrorCount;
  /** Blocks, lists and bodies open (see {@link MAX_NESTING}). */
  #depth = 0;
  /** Set when a {@link ParseAbort} for nesting is thrown. */
  #aborted = false;
  /** Tokens skipped by the repetition recovery running now, or -1 outside it. */
  #recoverySkips = -1;

  constructor() {
    const errorCount: ErrorCount = { value: 0 };
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: countedMessages(errorMessages, errorCount, MAX_SYNTAX_ERRORS) });
    this.#errorCount = errorCount;
    this.performSelfAnalysis();
  }

  /**
   * Parse a token vector; returns the syntax errors. Each statement's draft,
   * partial ones too, goes to `sink` as soon as the statement is parsed, so
   * drafts are short-lived garbage instead of a second tree of the file.
   *
   * The parser recurses once per level of nesting: a block, list or body
   * deeper than {@link MAX_NESTING} stops its statement (left partial, so
   * `recovered`), and parsing resumes after the bracket that closes it,
   * {@link MAX_NESTING_STOPS} times at most. After {@link MAX_SYNTAX_ERRORS}
   * errors parsing stops. All of these are in `stops`.
   */
  parseFile(tokens: IToken[], sink: (statement: StatementDraft) => void): ParseResult {
    const errors: IRecognitionException[] = [];
    const stops: ParseStop[] = [];
    const position = this as unknown as LexerState;
    this.#errorCount.value = 0;
    this.#sink = sink;
    try {
      for (let from = 0; from >= 0; ) {
        this.input = tokens;
        position.importLexerState(from - 1);
        this.#root.statements.length = 0;
        this.#open.length = 0;
        this.#open.push(this.#root);
        this.#depth = 0;
        this.#aborted = false;
        from = -1;
        try {
          this.file();
        } catch (e) {
          if (!(e instanceof ParseAbort)) throw e;
          const at = position.exportLexerState() + 1;
          stops.push({ reason: e.reason, token: this.LA(1) });
          if (e.reason === 'nesting') from = resumeAfter(tokens, at, e.depth);
          if (from >= 0 && stops.length >= MAX_NESTING_STOPS) {
            stops.push({ reason: 'nestings', token: tokens[from] as IToken });
            from = -1;
          }
        }
        this.#drain();
        for (const e of this.errors) errors.push(e);
      }
      return { errors, stops };
    } finally {
      this.#open.length = 0;
      this.#root.statements.length = 0;
      this.#sink = null;
      this.#depth = 0;
      // Chevrotain keeps its input: release the tokens (drafts keep the few they need).
      this.input = [];
    }
  }

  /**
   * After the top rule (Chevrotain's hook): when parsing was stopped, the
   * input left is not an error of its own; only the end-of-file sentinels
   * Chevrotain appended to the token vector are removed.
   */
  onAfterParse(ruleName: string): void {
    if (this.#aborted || this.#errorCount.value >= MAX_SYNTAX_ERRORS) {
      const tokens = this.input;
      while (tokens.length > 0 && (tokens[tokens.length - 1] as IToken).tokenType.name === 'EOF') tokens.pop();
      return;
    }
    chevrotainParser.onAfterParse.call(this, ruleName);
  }

  /**
   * Chevrotain's choice of where to resume after an error: the first token
   * ahead that may follow any rule open. Chevrotain scans up to the end of
   * the file, and again for each enclosing rule as the error goes up (rules
   * × tokens: minutes on a 100 KB file); here only {@link MAX_RECOVERY_SCAN}
   * tokens are looked at, and past them the end of the file is where to
   * resume (the rest of the statement is not read).
   */
  findReSyncTokenType(): TokenType {
    const follow = (this as unknown as ParseHooks).flattenFollowSet();
    for (let k = 1; k <= MAX_RECOVERY_SCAN; k++) {
      const t = this.LA(k);
      if (t.tokenType === EOF) return EOF;
      for (const type of follow) if (tokenMatcher(t, type)) return type;
    }
    return EOF;
  }

  /** Chevrotain's recovery inside a repetition, with its scan ahead bounded as in {@link findReSyncTokenType}. */
  tryInRepetitionRecovery(...args: unknown[]): void {
    this.#recoverySkips = 0;
    try {
      chevrotainParser.tryInRepetitionRecovery.apply(this, args);
    } finally {
      this.#recoverySkips = -1;
    }
  }

  /**
   * Skip a token. Within a repetition's recovery, after MAX_RECOVERY_SCAN
   * tokens the end of the file is returned without moving: the resume point
   * is then the end of the file (see {@link findReSyncTokenType}), so the
   * recovery stops there and restores its position.
   */
  protected override SKIP_TOKEN(): IToken {
    if (this.#recoverySkips >= 0 && ++this.#recoverySkips > MAX_RECOVERY_SCAN) return this.LA(Number.MAX_SAFE_INTEGER);
    return super.SKIP_TOKEN();
  }

  /** Hand the statements parsed so far to the sink. */
  #drain(): void {
    const list = this.#root.statements;
    if (this.#sink) for (const st of list) this.#sink(st);
    list.length = 0;
  }

  /** Attach a rule's draft to its parent's and make it the current one (nothing happens while recording the grammar). */
  #enter<D extends Draft>(draft: D): D {
    if (this.RECORDING_PHASE) return draft;
    if (NESTING.has(draft.kind)) {
      if (this.#depth >= MAX_NESTING) {
        this.#aborted = true;
        throw new ParseAbort('nesting', this.#depth);
      }
      this.#depth++;
    }
    const parent = this.#open[this.#open.length - 1];
    if (parent) attachDraft(parent, draft);
    this.#open.push(draft);
    return draft;
  }

  /** Leave the current rule; `failed` marks its draft partial. */
  #leave(draft: Draft, failed: boolean): void {
    if (this.RECORDING_PHASE) return;
    if (failed) draft.recovered = true;
    if (NESTING.has(draft.kind)) this.#depth--;
    this.#open.pop();
  }

  /**
   * Run a rule body on its draft: attached first, marked recovered when a
   * syntax error was recorded while the body ran. That covers every way
   * Chevrotain recovers: the body throwing (re-sync, in this rule or an
   * enclosing one), a nested rule that re-synced and returned normally, a
   * token inserted or deleted in place, tokens skipped inside a repetition.
   * A nested rule's error thus marks every enclosing draft up to the
   * statement, so a statement with a syntax error anywhere in it is known
   * to be partial.
   */
  #rule<D extends Draft>(draft: D, body: (d: D) => void): void {
    this.#enter(draft);
    const errorsBefore = this.#errorCount.value;
    let threw = true;
    try {
      body(draft);
      threw = false;
    } finally {
      this.#leave(draft, threw || this.#errorCount.value > errorsBefore);
    }
  }

  /** file = { statement } */
  file = this.RULE('file', () => {
    this.MANY(this.#statementStep);
  });

  readonly #statementStep = (): void => {
    this.SUBRULE(this.statement);
    if (!this.RECORDING_PHASE) this.#drain();
  };

  readonly #statementAlts: IOrAlt<void>[] = [
    { ALT: () => this.SUBRULE(this.importStatement) },
    { ALT: () => this.SUBRULE(this.runnerStatement) },
    { ALT: () => this.SUBRULE(this.composeStatement) },
    { ALT: () => this.SUBRULE(this.networkStatement) },
  ];

  statement = this.RULE('statement', () => {
    this.OR(this.#statementAlts);
  });

  importStatement = this.RULE('importStatement', () => {
    this.#rule<ImportDraft>({ kind: 'import', path: undefined, recovered: false }, this.#importBody);
  });

  readonly #importBody = (d: ImportDraft): void => {
    this.CONSUME(T.Import);
    d.path = this.CONSUME(T.StringLiteral, PATH);
  };

  runnerStatement = this.RULE('runnerStatement', () => {
    this.#rule<RunnerDraft>({ kind: 'runner', keyword: undefined, header: undefined, body: undefined, recovered: false }, this.#runnerBody);
  });

  readonly #runnerBody = (d: RunnerDraft): void => {
    d.keyword = this.CONSUME(T.Runner);
    this.SUBRULE(this.runnerHeader);
    this.OPTION(this.#optionalBody);
  };

  readonly #optionalBody = (): void => {
    this.SUBRULE(this.runnerBody);
  };

  /** [NAME] "PATH" { if "COND" | on "NODE" } */
  runnerHeader = this.RULE('runnerHeader', () => {
    this.#rule<HeaderDraft>({ kind: 'header', name: undefined, path: undefined, first: undefined, second: undefined, modifiers: [], recovered: false }, this.#headerBody);
  });

  readonly #headerBody = (): void => {
    this.OR(this.#headerAlts);
    this.MANY(this.#modifierStep);
  };

  readonly #headerAlts: IOrAlt<void>[] = [
    {
      ALT: () => {
        const d = this.#current<HeaderDraft>();
        d.name = this.CONSUME(T.Name, NAME);
        d.path = this.CONSUME(T.StringLiteral, PATH);
      },
    },
    {
      ALT: () => {
        const d = this.#current<HeaderDraft>();
        d.first = this.CONSUME1(T.StringLiteral, FIRST);
        this.OPTION(this.#secondPath);
      },
    },
  ];

  readonly #secondPath = (): void => {
    this.#current<HeaderDraft>().second = this.CONSUME2(T.StringLiteral, SECOND);
  };

  readonly #modifierStep = (): void => {
    this.SUBRULE(this.modifier);
  };

  modifier = this.RULE('modifier', () => {
    this.#rule<ModifierDraft>({ kind: 'modifier', condition: undefined, node: undefined, recovered: false }, this.#modifierBody);
  });

  readonly #modifierBody = (): void => {
    this.OR(this.#modifierAlts);
  };

  readonly #modifierAlts: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.CONSUME(T.If);
        this.#current<ModifierDraft>().condition = this.CONSUME(T.StringLiteral, CONDITION);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.On);
        this.#current<ModifierDraft>().node = this.CONSUME1(T.StringLiteral, NODE);
      },
    },
  ];

  runnerBody = this.RULE('runnerBody', () => {
    this.#rule<BodyDraft>({ kind: 'body', fields: [], children: [], recovered: false }, this.#bodyBody);
  });

  readonly #bodyBody = (): void => {
    this.CONSUME(T.LCurly);
    this.MANY(this.#bodyStep);
    this.CONSUME(T.RCurly);
  };

  readonly #bodyStep = (): void => {
    this.SUBRULE(this.bodyItem);
    this.OPTION(this.#comma);
  };

  readonly #comma = (): void => {
    this.CONSUME(T.Comma);
  };

  readonly #bodyItemAlts: IOrAlt<void>[] = [
    { GATE: () => this.LA(2).tokenType === T.Runner, ALT: () => this.SUBRULE(this.serviceRunner) },
    { ALT: () => this.SUBRULE(this.field) },
  ];

  bodyItem = this.RULE('bodyItem', () => {
    this.OR(this.#bodyItemAlts);
  });

  serviceRunner = this.RULE('serviceRunner', () => {
    this.#rule<RunnerDraft>({ kind: 'runner', keyword: undefined, header: undefined, body: undefined, recovered: false }, this.#serviceBody);
  });

  readonly #serviceBody = (d: RunnerDraft): void => {
    d.keyword = this.CONSUME(T.Service);
    this.CONSUME(T.Runner);
    this.SUBRULE(this.runnerHeader);
    this.OPTION(this.#optionalBody);
  };

  /** key ":" value | key block */
  field = this.RULE('field', () => {
    this.#rule<FieldDraft>({ kind: 'field', key: undefined, value: undefined, block: undefined, recovered: false }, this.#fieldBody);
  });

  readonly #fieldBody = (d: FieldDraft): void => {
    d.key = this.SUBRULE(this.key);
    this.OR(this.#fieldAlts);
  };

  readonly #fieldAlts: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Colon);
        this.SUBRULE(this.value);
      },
    },
    { ALT: () => this.SUBRULE(this.block) },
  ];

  readonly #keyAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(T.Name) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME(T.True) },
    { ALT: () => this.CONSUME(T.False) },
  ];

  key = this.RULE('key', (): IToken => this.OR(this.#keyAlts));

  value = this.RULE('value', () => {
    this.#rule<ValueDraft>({ kind: 'value', token: undefined, list: undefined, block: undefined, recovered: false }, this.#valueBody);
  });

  readonly #valueBody = (): void => {
    this.OR(this.#valueAlts);
  };

  /** A value alternative that is a single token. */
  #scalar(type: TokenType): IOrAlt<void> {
    return {
      ALT: () => {
        this.#current<ValueDraft>().token = this.CONSUME(type);
      },
    };
  }

  readonly #valueAlts: IOrAlt<void>[] = [
    this.#scalar(T.StringLiteral),
    this.#scalar(T.Duration),
    this.#scalar(T.Size),
    this.#scalar(T.Percent),
    this.#scalar(T.NumberLiteral),
    this.#scalar(T.BadNumber),
    this.#scalar(T.True),
    this.#scalar(T.False),
    this.#scalar(T.Name),
    { ALT: () => this.SUBRULE(this.list) },
    { ALT: () => this.SUBRULE(this.block) },
  ];

  list = this.RULE('list', () => {
    this.#rule<ListDraft>({ kind: 'list', open: undefined, items: [], recovered: false }, this.#listBody);
  });

  readonly #listBody = (d: ListDraft): void => {
    d.open = this.CONSUME(T.LSquare);
    this.MANY(this.#listStep);
    this.CONSUME(T.RSquare);
  };

  readonly #listStep = (): void => {
    this.SUBRULE(this.value);
    this.OPTION(this.#comma);
  };

  block = this.RULE('block', () => {
    this.#rule<BlockDraft>({ kind: 'block', open: undefined, close: undefined, fields: [], recovered: false }, this.#blockBody);
  });

  readonly #blockBody = (d: BlockDraft): void => {
    d.open = this.CONSUME(T.LCurly);
    this.MANY(this.#blockStep);
    d.close = this.CONSUME(T.RCurly);
  };

  readonly #blockStep = (): void => {
    this.SUBRULE(this.field);
    this.OPTION(this.#comma);
  };

  /** compose KIND NAME "PATH" { if | on } [ block ] */
  composeStatement = this.RULE('composeStatement', () => {
    this.#rule<ComposeDraft>({ kind: 'compose', keyword: undefined, kindName: undefined, name: undefined, path: undefined, modifiers: [], block: undefined, recovered: false }, this.#composeBody);
  });

  readonly #composeBody = (d: ComposeDraft): void => {
    d.keyword = this.CONSUME(T.Compose);
    d.kindName = this.CONSUME(T.Name, KIND);
    this.OR(this.#composeNameAlts);
    d.path = this.CONSUME1(T.StringLiteral, PATH);
    this.MANY(this.#modifierStep);
    this.OPTION(this.#optionalBlock);
  };

  readonly #composeNameAlts: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.#current<ComposeDraft>().name = this.CONSUME1(T.Name, NAME);
      },
    },
    {
      ALT: () => {
        this.#current<ComposeDraft>().name = this.CONSUME(T.StringLiteral, NAME);
      },
    },
  ];

  readonly #optionalBlock = (): void => {
    this.SUBRULE(this.block);
  };

  /** network NAME block */
  networkStatement = this.RULE('networkStatement', () => {
    this.#rule<NetworkDraft>({ kind: 'network', keyword: undefined, name: undefined, block: undefined, recovered: false }, this.#networkBody);
  });

  readonly #networkBody = (d: NetworkDraft): void => {
    d.keyword = this.CONSUME(T.Network);
    this.OR(this.#networkNameAlts);
    this.SUBRULE(this.block);
  };

  readonly #networkNameAlts: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.#current<NetworkDraft>().name = this.CONSUME(T.Name, NAME);
      },
    },
    {
      ALT: () => {
        this.#current<NetworkDraft>().name = this.CONSUME(T.StringLiteral, NAME);
      },
    },
  ];

  /** The draft of the rule being parsed (a scratch object while the grammar is recorded). */
  #current<D extends Draft>(): D {
    return (this.RECORDING_PHASE ? SCRATCH : this.#open[this.#open.length - 1]) as D;
  }
}

/** Written to (and ignored) while Chevrotain records the grammar. */
const SCRATCH = { kind: 'scratch' } as unknown as Draft;

/** One shared parser instance (Chevrotain parsers are reusable via `input`). */
export const ensembleParser = new EnsembleParser();
