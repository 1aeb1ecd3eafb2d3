import { DomainError } from '../core/index.ts';

/** A long task stopped because someone cancelled it: not a failure, and whatever it wrote is gone. */
export class JobCancelled extends DomainError {
  override readonly code = 'cancelled';
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'JobCancelled';
  }
}
