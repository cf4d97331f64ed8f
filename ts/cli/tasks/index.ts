import type { Task } from '../options.js';
import { forecastTask } from './forecast-task.js';
import { languageModelTask } from './language-model-task.js';
import type { TaskHandler } from './task.js';
import { textTask } from './text-task.js';

export function taskHandler(task: Task): TaskHandler {
  return task === 'forecast' ? forecastTask : task === 'language-model' ? languageModelTask : textTask;
}

export type { TaskHandler, Encoded, Fitted, Prediction, ColumnFlags } from './task.js';
