/**
 * An object that answers with `overrides` where they have a member and forwards everything else to `inner`, its
 * methods bound to `inner`. A Proxy, so a class instance (whose methods live on its prototype, which a spread does
 * not copy) is forwarded whole and a method added to the port later is forwarded without a change here.
 */
export function forwardTo<T extends object>(inner: T, overrides: Partial<T>): T {
  return new Proxy(inner, {
    get(target, property) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has(target, property) {
      return Object.prototype.hasOwnProperty.call(overrides, property) || Reflect.has(target, property);
    },
  });
}
