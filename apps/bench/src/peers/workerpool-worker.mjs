// The worker script of the workerpool peer: the same tasks as the others.
import workerpool from 'workerpool';
import { square, squareChunk } from '../targets/square.mjs';
import { spin } from './spin.mjs';

workerpool.worker({ square, squareChunk, spin });
