// `wg.callbacks`: the callbacks fit takes (API.md "Layers and models").

export { earlyStopping, EarlyStopping } from './early-stopping';
export type { EarlyStoppingOptions } from './early-stopping';
export { lrScheduler } from './lr-scheduler';
export type { EpochSchedule } from './lr-scheduler';
export { terminateOnNaN } from './terminate-on-nan';
export { modelCheckpoint } from './model-checkpoint';
export type { ModelCheckpointOptions, SaveFunction } from './model-checkpoint';
export { progress } from './progress';
export type { ProgressOptions } from './progress';
export type { Callback, Logs, TrainingModel, TrainParams } from './callback';
