export * from './client';
export * from './errors';
export * from './status';
export * from './tokens';
export * from './types';
export * from './xcube';
export * from './mlflow';
export * from './cluster';
