// Registers every built-in gradient rule (imported for its side effects).
import './conv.js';
import './elementwise.js';
import './indexing.js';
import './linalg.js';
import './reduce.js';
import './shaping.js';
import './views.js';
