import { queueStress } from './stress-cases.ts';

queueStress('process');
