// The unit suite against Nest 11 (npm run test:unit:nest11): jest.config.js with every @nestjs/*
// import sent to compat/nest11/node_modules (see compat/nest11/with-nest11.js).
import base from './jest.config.js';
import { withNest11 } from './compat/nest11/with-nest11.js';

export default withNest11(base);
