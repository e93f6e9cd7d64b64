import type { ResourceHandle, Unit } from '../../src/sdk/index.js';
import { formatValue, parseText } from './measure.js';
import type { MeasureStore } from './measure-store.js';
import { StoreValueError } from './store-errors.js';

/**
 * Every key as a resource file `units/<store>/<key>`: reading gives the
 * value, writing a line sets it (parsed as the key's type), watching follows
 * changes. Keys created later get their file on their first Set.
 */
export function serveKeyResources(unit: Unit, store: MeasureStore): void {
  const handles = new Map<string, ResourceHandle>();
  const add = (key: string) => {
    handles.set(
      key,
      unit.resource(key, {
        read: () => (store.list(key).find((m) => m.key === key) ? formatValue(store.get(key).value) : ''),
        ...(store.isWritable(key)
          ? {
              write: (text: string) => {
                const type = store.typeOf(key);
                if (type === null) throw new StoreValueError(`no key "${key}"`);
                store.set(key, parseText(key, type, text), '', { fromFile: true });
              },
            }
          : {}),
        watch: true,
        description: `store key (${store.typeOf(key) ?? 'unset'})`,
      }),
    );
  };
  for (const key of store.keys()) add(key);
  store.onChange((m) => {
    if (!handles.has(m.key)) add(m.key);
    void handles.get(m.key)?.changed(formatValue(m.value));
  });
}
