// every test runs with emit-time validation in 'throw' mode, as the contract requires of tests
import { configureValidation } from '../../src/runtime/validation-policy.js';

configureValidation({ default: 'throw', unknown: 'throw' });
