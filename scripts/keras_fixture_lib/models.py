"""Functional and Sequential models over layers.py: evaluation, configs, and the weight walk.

A functional model records, per layer call, the Keras 3 node (positional args and the kwargs
Layer.__call__ adds: `training` when call() defaults it to False, `mask` when call() takes one).
An Embedding with mask_zero makes its mask with ops.not_equal, which Keras 3 records as a
NotEqual operation in the graph: it appears in config.json's layers, never in the weights.
"""
import re

import numpy as np

from .layers import POLICY, InputLayer, is_k3, is_old, serialize_new, shape_list, weights_of


def snake_case(name):
    """keras.src.utils.naming.to_snake_case, which names weight-file containers by class."""
    name = re.sub(r'\W+', '', name)
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


def container_paths(layers):
    """Keras 3 _save_container_state names: class-based snake_case, uniquified in order."""
    used, paths = {}, []
    for layer in layers:
        name = snake_case(layer.cls)
        if name in used:
            used[name] += 1
            name = f'{name}_{used[name]}'
        else:
            used[name] = 0
        paths.append(name)
    return paths


def layers_saveables(layers, prefix):
    out = []
    for layer, path in zip(layers, container_paths(layers)):
        for sub, name, arrays in layer.k3_saveables():
            out.append((f'{prefix}/{path}' + (f'/{sub}' if sub else ''), name, arrays))
    return out


class Sym:
    """A symbolic tensor: keras_history (layer, node, index), shape, dtype and its Keras 3 mask tensor."""

    def __init__(self, op, node, index, shape, dtype, mask=None):
        self.op, self.node, self.index, self.shape, self.dtype, self.mask = op, node, index, tuple(shape), dtype, mask

    def history(self):
        return [self.op.name, self.node, self.index]

    def k3(self):
        return {'class_name': '__keras_tensor__',
                'config': {'shape': shape_list(self.shape), 'dtype': self.dtype, 'keras_history': self.history()}}


def _flat_syms(structure):
    if isinstance(structure, Sym):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [s for item in structure for s in _flat_syms(item)]
    if isinstance(structure, dict):
        return [s for item in structure.values() for s in _flat_syms(item)]
    return []


def _k3_structure(structure):
    if isinstance(structure, Sym):
        return structure.k3()
    if isinstance(structure, (list, tuple)):
        return [_k3_structure(s) for s in structure]
    if isinstance(structure, dict):
        return {k: _k3_structure(v) for k, v in structure.items()}
    return structure


class Node:
    def __init__(self, op, args, kwargs, outputs):
        self.op, self.args, self.kwargs, self.outputs = op, args, kwargs, outputs

    def inputs(self, with_masks):
        """Tensors this node reads (Keras 3 also reads the mask kwargs; tf.keras does not)."""
        return _flat_syms(self.args) + (_flat_syms(self.kwargs) if with_masks else [])


class NotEqual:
    """keras.ops.not_equal as the graph records it (Embedding.compute_mask)."""
    cls = 'NotEqual'

    def __init__(self, name):
        self.name = name


def keras_order(outputs, nodes_of, with_masks):
    """Function.operations order (keras/src/ops/function.py map_graph): by decreasing depth, then by
    first visit in a depth-first walk from the outputs. tf.keras orders its layers the same way."""
    finished, order, first_visit = set(), [], {}

    def visit(sym):
        node = nodes_of[id(sym.op)][sym.node]
        if id(node) in finished:
            return
        first_visit.setdefault(id(sym.op), (len(first_visit), sym.op))
        for parent in node.inputs(with_masks):
            visit(parent)
        finished.add(id(node))
        order.append(node)

    for out in outputs:
        visit(out)
    node_depth, op_depth = {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), op_depth.get(id(node.op), 0))
        op_depth[id(node.op)] = depth
        node_depth[id(node)] = depth
        for parent in node.inputs(with_masks):
            pnode = nodes_of[id(parent.op)][parent.node]
            node_depth[id(pnode)] = max(depth + 1, node_depth.get(id(pnode), 0))
    ops = [op for _, op in sorted(first_visit.values(), key=lambda t: t[0])]
    return sorted(ops, key=lambda op: -op_depth[id(op)])  # stable: visit order within a depth


class Functional:
    cls = 'Functional'
    call_training = None
    call_mask = True

    def __init__(self, name, rng, fam):
        self.name, self.rng, self.fam = name, rng, fam
        self.nodes_of = {}  # id(op) -> [Node]
        self.nodes = []
        self.inputs = self.outputs = None

    def input(self, name, shape, dtype='float32'):
        layer = InputLayer(name, (None,) + tuple(shape), dtype)
        sym = Sym(layer, 0, 0, layer.batch_shape, dtype)
        self._record(Node(layer, [], {}, [sym]))
        return sym

    def _record(self, node):
        self.nodes_of.setdefault(id(node.op), []).append(node)
        self.nodes.append(node)

    def __call__(self, layer, x):
        syms = x if isinstance(x, list) else [x]
        shapes = [s.shape for s in syms]
        if not layer.built:
            layer.build(shapes, self.rng)
        kwargs = {}
        if layer.call_training is False:
            kwargs['training'] = False
        if layer.call_mask:
            kwargs['mask'] = syms[0].mask
        out_shapes = layer.output_shapes(shapes)
        masks = layer.out_masks(syms[0].mask, len(out_shapes))
        if getattr(layer, 'mask_zero', False):
            op = NotEqual('not_equal' if not any(isinstance(n.op, NotEqual) for n in self.nodes) else f'not_equal_{len(self.nodes)}')
            mask = Sym(op, 0, 0, syms[0].shape, 'bool')
            self._record(Node(op, [syms[0], 0], {}, [mask]))
            masks = [mask] * len(out_shapes)
        index = len(self.nodes_of.get(id(layer), []))
        outs = [Sym(layer, index, i, s, 'float32', m) for i, (s, m) in enumerate(zip(out_shapes, masks))]
        self._record(Node(layer, [x], kwargs, outs))
        return outs[0] if len(outs) == 1 else outs

    def finish(self, inputs, outputs):
        self.inputs, self.outputs = inputs, outputs
        return self

    def flat(self, which):
        return which if isinstance(which, list) else [which]

    def operations(self, with_masks=True):
        ops = keras_order(self.flat(self.outputs), self.nodes_of, with_masks)
        return [op for op in ops if with_masks or not isinstance(op, NotEqual)]

    @property
    def layers(self):
        return [op for op in self.operations() if not isinstance(op, NotEqual)]

    # numerics
    def evaluate(self, feeds):
        values = {}
        for sym, value in zip(self.flat(self.inputs), feeds):
            values[id(sym)] = (np.asarray(value, dtype=np.float64), None)
        for node in self.nodes:
            if isinstance(node.op, (InputLayer, NotEqual)):
                continue
            arg = node.args[0]
            syms = arg if isinstance(arg, list) else [arg]
            xs = [values[id(s)][0] for s in syms]
            ms = [values[id(s)][1] for s in syms]
            ys, out_masks = node.op.forward(xs, ms, self.fam)
            for sym, y, m in zip(node.outputs, ys, out_masks):
                values[id(sym)] = (y, m)
        return [values[id(s)][0] for s in self.flat(self.outputs)]

    # Keras 3 config.json
    def _k3_tensor_refs(self, which):
        ref = lambda s: s.history()
        return ref(which) if isinstance(which, Sym) else [ref(s) for s in which]

    def k3_layer_entries(self, fmt):
        entries = []
        for op in self.operations():
            nodes = [n for n in self.nodes_of[id(op)] if n.args or n.kwargs]
            inbound = [{'args': _k3_structure(n.args), 'kwargs': _k3_structure(n.kwargs)} for n in nodes]
            if isinstance(op, NotEqual):
                entry = {'module': 'keras.src.ops.numpy', 'class_name': 'NotEqual', 'config': {'name': op.name},
                         'registered_name': 'NotEqual'}
            elif isinstance(op, InputLayer):
                entry = {'module': 'keras.layers', 'class_name': 'InputLayer', 'config': op.config(fmt), 'registered_name': None}
            else:
                entry = k3_serialize(op, fmt)
            entry.update({'name': op.name, 'inbound_nodes': inbound})
            entries.append(entry)
        return entries

    def k3_config(self, fmt):
        return {'name': self.name, 'trainable': True, 'layers': self.k3_layer_entries(fmt),
                'input_layers': self._k3_tensor_refs(self.inputs), 'output_layers': self._k3_tensor_refs(self.outputs)}

    def k3_serialized(self, fmt):
        return {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': self.k3_config(fmt),
                'registered_name': 'Functional', 'build_config': {'input_shape': None}}

    def k3_saveables(self):
        return [('', self.name, [])] + layers_saveables(self.layers, 'layers')

    # tf.keras model_config
    def k2_config(self, fmt):
        layers = []
        for op in self.operations(with_masks=False):
            nodes = [n for n in self.nodes_of[id(op)] if n.args]
            inbound = [[[*s.history(), {}] for s in n.inputs(False)] for n in nodes]
            layers.append({'class_name': op.cls, 'config': op.config(fmt), 'name': op.name, 'inbound_nodes': inbound})
        refs = lambda which: [s.history() for s in self.flat(which)]
        return {'class_name': 'Functional', 'config': {'name': self.name, 'trainable': True, 'layers': layers,
                                                        'input_layers': refs(self.inputs), 'output_layers': refs(self.outputs)}}


def k3_serialize(layer, fmt):
    if isinstance(layer, Sequential):
        return layer.k3_serialized(fmt)
    return serialize_new(layer, fmt)


class Sequential:
    """keras.Sequential (top level or nested as a layer): layers[0] is its InputLayer."""
    cls = 'Sequential'
    call_training = None
    call_mask = True
    passes_mask = False
    weights = []

    def __init__(self, name, input_layer, layers, rng, fam):
        self.name, self.input_layer, self.fam = name, input_layer, fam
        self.stack = layers
        shapes = [input_layer.batch_shape]
        for layer in layers:
            layer.build(shapes, rng)
            shapes = layer.output_shapes(shapes)
        self.output_shape = shapes[0]
        self.build_shape = shape_list(input_layer.batch_shape)
        self.built = True

    @property
    def layers(self):
        return self.stack  # Sequential.layers leaves out the InputLayer (weights too)

    def output_shapes(self, shapes):
        return [self.output_shape]

    def out_masks(self, in_mask, n_outputs):
        return [None] * n_outputs

    def forward(self, xs, masks, fam):
        x, mask = xs[0], masks[0]
        for layer in self.stack:
            ys, ms = layer.forward([x], [mask], self.fam)
            x, mask = ys[0], ms[0]
        return [x], [mask]

    def evaluate(self, feeds):
        return self.forward([np.asarray(feeds[0], dtype=np.float64)], [None], self.fam)[0]

    def k3_serialized(self, fmt):
        entries = [{'module': 'keras.layers', 'class_name': 'InputLayer', 'config': self.input_layer.config(fmt), 'registered_name': None}]
        entries += [k3_serialize(layer, fmt) for layer in self.stack]
        config = {'name': self.name, 'trainable': True, 'dtype': POLICY, 'layers': entries, 'build_input_shape': self.build_shape}
        return {'module': 'keras', 'class_name': 'Sequential', 'config': config, 'registered_name': None,
                'build_config': {'input_shape': self.build_shape}}

    def k3_saveables(self):
        return [('', self.name, [])] + layers_saveables(self.stack, 'layers')

    def k2_config(self, fmt):
        if is_k3(fmt):
            # Keras 3 legacy .h5: legacy layer entries (no module), Keras 3 configs inside.
            entries = [{'class_name': 'InputLayer', 'config': self.input_layer.config(fmt)}]
            entries += [{'class_name': l.cls, 'config': l.config(fmt)} for l in self.stack]
            return {'class_name': 'Sequential', 'config': {'name': self.name, 'trainable': True, 'dtype': POLICY,
                                                            'layers': entries, 'build_input_shape': self.build_shape}}
        entries = [{'class_name': l.cls, 'config': l.config(fmt)} for l in self.stack]
        if is_old(fmt):
            return {'class_name': 'Sequential', 'config': entries}  # Keras 2.0-2.1: a bare list
        entries.insert(0, {'class_name': 'InputLayer', 'config': self.input_layer.config(fmt)})
        return {'class_name': 'Sequential', 'config': {'name': self.name, 'layers': entries}}


def legacy_weights(layer, fmt, prefix=''):
    """(names, arrays) of one layer in a legacy .h5 group."""
    arrays = [a for _, a in weights_of(layer)]
    return (layer.k2_weight_names(fmt, prefix) if arrays else []), arrays
