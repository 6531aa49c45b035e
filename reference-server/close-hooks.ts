import type { Logger } from './logger.ts';

/**
 * Teardown registered where each resource is opened (as Fastify's onClose): adding a resource cannot
 * forget its teardown, and the order needs no hand-keeping. Hooks run last-opened first, so nothing is
 * closed while something opened after it (and so possibly using it) is still running.
 */
export class CloseHooks {
  private readonly hooks: Array<{ name: string; close: () => unknown }> = [];
  private closed = false;

  add(name: string, close: () => unknown): void {
    if (this.closed) throw new Error(`close hook "${name}" registered after close`);
    this.hooks.push({ name, close });
  }

  /** Runs every hook once, last registered first; one that fails is logged and the others still run. */
  async closeAll(log: Logger): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { name, close } of this.hooks.reverse()) {
      try {
        await close();
      } catch (err) {
        log.error({ err, resource: name }, 'closing a resource failed');
      }
    }
  }

  /** Names in the order closeAll() runs them (for tests and logs). */
  order(): string[] {
    return this.hooks.map((h) => h.name).reverse();
  }
}
