import { CstParser, type CstNode } from 'chevrotain';
import { errorMessages } from './error-messages.js';
import * as T from './tokens.js';

/**
 * The ensemble grammar (Chevrotain). grammar/ensemble.ebnf describes the same
 * rules; grammar/diagrams.html is generated from this class.
 */
export class EnsembleParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: errorMessages, nodeLocationTracking: 'none' });
    this.performSelfAnalysis();
  }

  /** file = { statement } */
  file = this.RULE('file', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importStatement) },
      { ALT: () => this.SUBRULE(this.runnerStatement) },
      { ALT: () => this.SUBRULE(this.composeStatement) },
      { ALT: () => this.SUBRULE(this.networkStatement) },
    ]);
  });

  importStatement = this.RULE('importStatement', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  runnerStatement = this.RULE('runnerStatement', () => {
    this.CONSUME(T.Runner);
    this.SUBRULE(this.runnerHeader);
    this.OPTION(() => this.SUBRULE(this.runnerBody));
  });

  /** [NAME] "PATH" { if "COND" | on "NODE" } */
  runnerHeader = this.RULE('runnerHeader', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Name, { LABEL: 'name' });
          this.CONSUME(T.StringLiteral, { LABEL: 'path' });
        },
      },
      {
        ALT: () => {
          this.CONSUME1(T.StringLiteral, { LABEL: 'first' });
          this.OPTION(() => this.CONSUME2(T.StringLiteral, { LABEL: 'second' }));
        },
      },
    ]);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  modifier = this.RULE('modifier', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.If);
          this.CONSUME(T.StringLiteral, { LABEL: 'condition' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.On);
          this.CONSUME1(T.StringLiteral, { LABEL: 'node' });
        },
      },
    ]);
  });

  runnerBody = this.RULE('runnerBody', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.bodyItem);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  bodyItem = this.RULE('bodyItem', () => {
    this.OR([
      { GATE: () => this.LA(2).tokenType === T.Runner, ALT: () => this.SUBRULE(this.serviceRunner) },
      { ALT: () => this.SUBRULE(this.field) },
    ]);
  });

  serviceRunner = this.RULE('serviceRunner', () => {
    this.CONSUME(T.Service);
    this.CONSUME(T.Runner);
    this.SUBRULE(this.runnerHeader);
    this.OPTION(() => this.SUBRULE(this.runnerBody));
  });

  /** key ":" value | key block */
  field = this.RULE('field', () => {
    this.SUBRULE(this.key);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.SUBRULE(this.value);
        },
      },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  key = this.RULE('key', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.Size) },
      { ALT: () => this.CONSUME(T.Percent) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.BadNumber) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LSquare);
    this.MANY(() => {
      this.SUBRULE(this.value);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RSquare);
  });

  block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.field);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** compose KIND NAME "PATH" { if | on } [ block ] */
  composeStatement = this.RULE('composeStatement', () => {
    this.CONSUME(T.Compose);
    this.CONSUME(T.Name, { LABEL: 'kind' });
    this.OR([{ ALT: () => this.CONSUME1(T.Name, { LABEL: 'name' }) }, { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'name' }) }]);
    this.CONSUME1(T.StringLiteral, { LABEL: 'path' });
    this.MANY(() => this.SUBRULE(this.modifier));
    this.OPTION(() => this.SUBRULE(this.block));
  });

  /** network NAME block */
  networkStatement = this.RULE('networkStatement', () => {
    this.CONSUME(T.Network);
    this.OR([{ ALT: () => this.CONSUME(T.Name, { LABEL: 'name' }) }, { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'name' }) }]);
    this.SUBRULE(this.block);
  });

  /** Parse a token vector into a CST (errors in `this.errors`). */
  parseFile(): CstNode {
    return this.file();
  }
}

/** One shared parser instance (Chevrotain parsers are reusable via `input`). */
export const ensembleParser = new EnsembleParser();
