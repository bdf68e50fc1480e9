export * from './personalized-offers.error.js';
export * from './personalized-offers-api.error.js';
export * from './personalized-offers-config.error.js';
export * from './personalized-offers-network.error.js';
export * from './invalid-user-id.error.js';
export * from './auth-info-decrypt.error.js';
export * from './invalid-argument.error.js';
export * from './personalized-offers-unavailable.error.js';
