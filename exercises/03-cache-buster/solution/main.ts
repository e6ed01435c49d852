/** The nifty useless model: it adds, precisely, with its one dependency. */
import { Decimal } from 'decimal.js';

const sum = new Decimal(0.1).plus(0.2);
console.log(`The nifty useless model adds precisely: 0.1 + 0.2 = ${sum.toString()}.`);
