/** `lw.layers.*`: Keras-compatible layers (TF.js names and options). */
export { Layer, SymbolicTensor, type LayerArgs } from '../engine/layer.js';
export { Weight } from '../engine/weight.js';
// For custom layers' outputMasks (inputMask(i) is { input: i }): lw.layers' lowercase names are layer factories.
export { KEEP_INPUT_MASK, type MaskInput, type MaskArgument, type OutputMask } from '../engine/mask.js';
export { InputLayer } from './input.js';
export { Dense, dense, type DenseArgs } from './dense.js';
export { Embedding, embedding, type EmbeddingArgs } from './embedding.js';
export { LSTM, lstm, type LSTMArgs } from './lstm.js';
export { GRU, gru, type GRUArgs } from './gru.js';
export { SimpleRNN, simpleRNN } from './simple-rnn.js';
export { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';
export { Dropout, dropout } from './dropout.js';
export { Activation, activation } from './activation.js';
export { Flatten, flatten } from './flatten.js';
export { Bidirectional, bidirectional, type BidirectionalArgs, type MergeMode } from './bidirectional.js';
export { Masking, masking, type MaskingArgs } from './masking.js';
export { TimeDistributed, timeDistributed, type TimeDistributedArgs } from './time-distributed.js';
export { Concatenate, concatenate, type ConcatenateArgs } from './concatenate.js';
