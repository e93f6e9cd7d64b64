/** The ensemble language: from a `.ensemble` file to a validated Plan. */
export { loadPlan, type LoadOptions } from './load-plan.js';
export { PlanError } from './plan-error.js';
export { formatDiagnostic, displayPath, moreErrorsLine, type Diagnostic } from './diagnostic.js';
export { compileUnitSnippet, SNIPPET_FILE } from './compile-unit.js';
export type * from './plan.js';
export { parseParams } from './params.js';
export { renderPlanText, summarizePlan, maskPlan, MASK } from './render-plan.js';
