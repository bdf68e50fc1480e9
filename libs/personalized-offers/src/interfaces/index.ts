export * from './personalized-offers-options.interface.js';
export * from './clock.interface.js';
