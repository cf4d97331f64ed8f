/** `lw.report`: figures and plots for finished training runs. */
export { binaryReport, formatConfusion, type BinaryReport } from './classification.js';
export { lineChartsSvg, historySvg, type Series, type ChartPanel } from './svg-chart.js';
