/** The time every rule of the service reads: whole epoch seconds, as JWT claims carry it. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
