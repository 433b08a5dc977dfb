/** A user's ledger balance in one currency. */
export interface Balance {
  currency: string;
  /** Net debit of the user's account in minor units: what the user has been charged. */
  balance: number;
}
