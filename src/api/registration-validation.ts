import { isUnitName } from '../ensemble/unit-name.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { ServiceRegistration } from './service-registry.js';

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Aliases one service may carry. */
export const MAX_ALIASES = 32;

/** Check a service name, alias or family; `what` names it in the message. A unit's name is one too (a unit's services are named after it by default, `"name with spaces"` included). */
export function validateServiceName(value: string, what: string): void {
  if (!NAME.test(value) && !isUnitName(value)) {
    throw new InvalidArgumentError(
      value === '' ? `${what} is empty` : `${what} "${value}" is invalid: use 1 to 200 letters, digits or "_ . - :", or a unit name`,
    );
  }
}

/**
 * Check a gRPC address a unit registers: `host:port` (IPv6 in brackets) or
 * `unix:/absolute/path`.
 */
export function validateAddress(address: string, service: string): void {
  const where = `address "${address}" of service "${service}"`;
  if (address === '') throw new InvalidArgumentError(`service "${service}" has no address`);
  if (address.startsWith('unix:')) {
    const path = address.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/')) throw new InvalidArgumentError(`${where} is invalid: a unix address needs an absolute path (unix:/path)`);
    return;
  }
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`${where} is invalid: expected host:port (port 1-65535) or unix:/path`);
  }
}

/** Check one registration completely; throws InvalidArgumentError with a readable message. */
export function validateRegistration(reg: ServiceRegistration): void {
  validateServiceName(reg.name, 'service name');
  if (reg.aliases.length > MAX_ALIASES) throw new InvalidArgumentError(`service "${reg.name}" has ${reg.aliases.length} aliases: at most ${MAX_ALIASES}`);
  for (const alias of reg.aliases) validateServiceName(alias, `alias of service "${reg.name}"`);
  if (reg.family !== '') validateServiceName(reg.family, `family of service "${reg.name}"`);
  if (reg.friendlyName.length > 200 || /[\r\n]/.test(reg.friendlyName)) {
    throw new InvalidArgumentError(`friendly name of service "${reg.name}" must be one line of at most 200 characters`);
  }
  validateAddress(reg.address, reg.name);
}
