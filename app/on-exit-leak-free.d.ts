// on-exit-leak-free ships no type declarations: the two functions the app calls.
declare module 'on-exit-leak-free' {
  /** Calls `fn(obj, event)` when the process exits (`exit` or `beforeExit`), holding `obj` weakly. */
  export function register<T extends object>(
    obj: T,
    fn: (obj: T, event: 'exit' | 'beforeExit') => void,
  ): void;
  export function unregister(obj: object): void;
}
