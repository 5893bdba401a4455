export * from './client';
export * from './errors';
export * from './status';
export * from './tokens';
export * from './types';
