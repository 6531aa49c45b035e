import { bandwidthToxic } from './bandwidth.ts';
import { latencyToxic } from './latency.ts';
import { limitDataToxic } from './limit-data.ts';
import { resetPeerToxic } from './reset-peer.ts';
import { slicerToxic } from './slicer.ts';
import { slowCloseToxic } from './slow-close.ts';
import type { ToxicKind } from './stage.ts';
import { timeoutToxic } from './timeout.ts';

/** Every toxic type this proxy understands, by its Toxiproxy name. */
export const toxicKinds: ReadonlyMap<string, ToxicKind> = new Map<string, ToxicKind>(
  [latencyToxic, bandwidthToxic, slowCloseToxic, timeoutToxic, resetPeerToxic, slicerToxic, limitDataToxic].map(
    (kind) => [kind.type, kind as ToxicKind],
  ),
);
