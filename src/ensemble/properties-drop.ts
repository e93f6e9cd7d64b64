import { Drop } from 'liquidjs';
import type { PropertyValue } from './plan.js';

/**
 * `{{ properties }}` in a compose template: prints the compose statement's
 * `{ … }` block as written (with position markers, so errors in it point at
 * the compose statement); `{{ properties.key }}` reads one value.
 */
export class PropertiesDrop extends Drop {
  readonly #text: string;
  readonly #values: Record<string, PropertyValue>;
  constructor(text: string, values: Record<string, PropertyValue>) {
    super();
    this.#text = text;
    this.#values = values;
  }
  override valueOf(): string {
    return this.#text;
  }
  override liquidMethodMissing(key: string): PropertyValue | undefined {
    return this.#values[key];
  }
}
