export { Optimizer, type OptimizerArgs } from './optimizer.js';
export { SGD, RMSprop, Adam, AdamW, sgd, rmsprop, adam, adamw, getOptimizer } from './optimizers.js';
