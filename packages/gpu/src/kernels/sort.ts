export function sort(): void { throw new Error('todo'); }
