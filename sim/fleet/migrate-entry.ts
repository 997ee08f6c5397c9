/** A release step of the local fleet: the app's `migrate` CLI as built into one image. */
export {};

await import('../../app/cli/migrate');
