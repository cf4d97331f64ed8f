// Helpers for the Keras configs written to model.json.

/** {class_name: 'GlorotUniform', config: {seed: null}} from 'glorotUniform' / 'glorot_uniform'. */
export function initializerConfig(name: string): { class_name: string; config: Record<string, unknown> } {
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const className = camel[0].toUpperCase() + camel.slice(1);
  const config: Record<string, unknown> = className === 'Zeros' || className === 'Ones' ? {} : { seed: null };
  if (className === 'Orthogonal') config.gain = 1;
  return { class_name: className, config };
}
