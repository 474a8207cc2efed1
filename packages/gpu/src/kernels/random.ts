export function random(): void { throw new Error('todo'); }
