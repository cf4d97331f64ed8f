/**
 * `lw.layers.*`: Keras-compatible layers (TF.js names and options). The 1D pooling and spatial
 * dropout factories also answer to TF.js' spelling (`globalAveragePooling1d`, ...).
 */
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
export { RNN, rnn, type RNNArgs } from './rnn.js';
export { RNNCell, type Cell, type AddWeight, type StepResult, type StepOps, type StepTensor, type Operand } from './rnn-cell.js';
export { registerCell, type CellFactory } from './cell-registry.js';
export { LSTMCell, GRUCell, SimpleRNNCell, lstmCell, gruCell, simpleRNNCell } from './keras-cells.js';
export { Dropout, dropout } from './dropout.js';
export { Activation, activation } from './activation.js';
export { Flatten, flatten } from './flatten.js';
export { Bidirectional, bidirectional, type BidirectionalArgs, type MergeMode } from './bidirectional.js';
export { Masking, masking, type MaskingArgs } from './masking.js';
export { TimeDistributed, timeDistributed, type TimeDistributedArgs } from './time-distributed.js';
export { Concatenate, concatenate, type ConcatenateArgs } from './concatenate.js';
export { RepeatVector, repeatVector, type RepeatVectorArgs } from './repeat-vector.js';
export { Reshape, reshape, type ReshapeArgs } from './reshape.js';
export { GlobalPooling1D, type GlobalPooling1DArgs, type DataFormat } from './global-pooling-1d.js';
export { GlobalAveragePooling1D, globalAveragePooling1D, globalAveragePooling1D as globalAveragePooling1d } from './global-average-pooling-1d.js';
export { GlobalMaxPooling1D, globalMaxPooling1D, globalMaxPooling1D as globalMaxPooling1d } from './global-max-pooling-1d.js';
export { SpatialDropout1D, spatialDropout1D, spatialDropout1D as spatialDropout1d, type SpatialDropout1DArgs } from './spatial-dropout-1d.js';
export { Dot, dot, type DotArgs } from './dot.js';
