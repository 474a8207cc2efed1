export const _todo = 1;
