/** What a unit says about one of its resources (`ensemble.resources.v1.Resource`, as proto-loader gives it). */
export interface ResourceInfo {
  /** Slash-separated path relative to the unit, e.g. `temperature` or `config/threshold`. */
  readonly path: string;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly watchable: boolean;
  readonly description: string;
}
