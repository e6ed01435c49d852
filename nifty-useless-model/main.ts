/**
 * The nifty useless model: it cannot predict anything, but it can add, with decimal.js, this
 * project's one dependency, which package.json names and package-lock.json pins.
 */
import { Decimal } from 'decimal.js';

const sum = new Decimal(1).plus(1);
console.log(`I can't predict anything, but I know that 1 + 1 = ${sum.toString()}.`);
