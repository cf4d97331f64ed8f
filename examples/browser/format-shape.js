// A shape for people to read, as model.summary() writes it: `[None, 6]` (None: any size).
// Shared by the page and its worker (it imports nothing, so the page loads no lstm-wasm for it).
export const formatShape = (shape) => `[${shape.map((d) => d ?? 'None').join(', ')}]`;
