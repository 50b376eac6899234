/**
 * When a stored record (a blacklisted token, a revoked session) stops mattering, and when DynamoDB may
 * delete it. A record is in force until the instant it guards against has passed, plus the LEEWAY in force
 * when it is read; reads and conditions decide that from the stored instant, never from whether DynamoDB's
 * TTL sweep (which can lag by days) has run. The TTL attribute only lets DynamoDB delete the record a margin
 * after it stops mattering.
 */
import { nowSeconds } from '../clock';
import { settings } from '../settings';

/** Covers clock differences with the TTL sweeper and a LEEWAY raised after the record was written. */
const TTL_MARGIN_SECONDS = 86400;

/** Records guarding instants before this one no longer matter. */
export const inForceCutoff = (): number => nowSeconds() - settings().leeway;

/** The TTL attribute's value for a record that matters until `end` (epoch seconds). */
export const deletableAfter = (end: number): number => end + settings().leeway + TTL_MARGIN_SECONDS;
