import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '../common/errors.js';
import { serverStream, unary } from '../wire/grpc-handlers.js';
import { GrpcStatusError } from '../wire/grpc-status.js';

/** A resource value as a unit returns it; it is sent as text. */
export type ResourceValue = string | number | boolean;

/**
 * How a unit serves one resource (docs/sdk.md).
 * - `read`: the current value (omit for write-only resources such as `control`).
 * - `write`: accept a new value; throw an Error to refuse it (the message goes
 *   back to the writer as INVALID_ARGUMENT, and the file view answers EINVAL).
 * - `watch`: true when the unit announces changes with {@link ResourceHandle.changed}.
 */
export interface ResourceOptions {
  read?: () => ResourceValue | Promise<ResourceValue>;
  write?: (value: string) => void | Promise<void>;
  watch?: boolean;
  /** One line of help text, shown by `List`. */
  description?: string;
}

/** What `resource()` returns: tell watchers about a new value. */
export interface ResourceHandle {
  readonly path: string;
  /** Send `value` (default: the result of `read`) to every watcher. */
  changed(value?: ResourceValue): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Check a resource path: slash-separated segments of letters, digits and `_ . -`, no `.` or `..`. */
export function validateResourcePath(path: string): void {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new InvalidArgumentError(`resource path "${path}" is invalid: use segments of letters, digits or "_ . -" separated by "/"`);
  }
}

interface Entry {
  readonly options: ResourceOptions;
  readonly watchers: Set<(value: string) => void>;
}

/** The resources of one unit and the `ensemble.resources.v1.Resources` handlers that serve them. */
export class ResourceTable {
  private readonly entries = new Map<string, Entry>();

  /** Add (or replace) the resource at `path`. */
  add(path: string, options: ResourceOptions): ResourceHandle {
    validateResourcePath(path);
    const entry: Entry = { options, watchers: this.entries.get(path)?.watchers ?? new Set() };
    this.entries.set(path, entry);
    return {
      path,
      changed: async (value?: ResourceValue) => {
        const text = value === undefined ? await this.readValue(path) : String(value);
        for (const w of [...entry.watchers]) w(text);
      },
    };
  }

  private entry(path: string): Entry {
    const entry = this.entries.get(path);
    if (!entry) throw new GrpcStatusError(grpc.status.NOT_FOUND, `no resource "${path}"`);
    return entry;
  }

  private async readValue(path: string): Promise<string> {
    const { read } = this.entry(path).options;
    if (!read) throw new GrpcStatusError(grpc.status.PERMISSION_DENIED, `resource "${path}" is write-only`);
    return String(await read());
  }

  /** Handlers to add with `server.addService(Resources.service, ...)`. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      List: unary(() => ({
        resources: [...this.entries.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([path, { options }]) => ({
            path,
            readable: options.read !== undefined,
            writable: options.write !== undefined,
            watchable: options.watch === true,
            description: options.description ?? '',
          })),
      })),
      Read: unary(async (req: { path: string }) => ({ value: await this.readValue(req.path) })),
      Write: unary(async (req: { path: string; value: string }) => {
        const { write } = this.entry(req.path).options;
        if (!write) throw new GrpcStatusError(grpc.status.PERMISSION_DENIED, `resource "${req.path}" is read-only`);
        try {
          await write(req.value);
        } catch (e) {
          throw new GrpcStatusError(grpc.status.INVALID_ARGUMENT, `resource "${req.path}" refused the value: ${e instanceof Error ? e.message : String(e)}`);
        }
        return {};
      }),
      Watch: serverStream(async (req: { path: string }, call) => {
        const entry = this.entry(req.path);
        if (entry.options.watch !== true) throw new GrpcStatusError(grpc.status.FAILED_PRECONDITION, `resource "${req.path}" is not watchable`);
        const send = (value: string) => call.write({ path: req.path, value, timeMs: Date.now() });
        entry.watchers.add(send);
        if (entry.options.read) send(await this.readValue(req.path));
        return () => entry.watchers.delete(send);
      }),
    };
  }
}
