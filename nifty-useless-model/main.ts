/**
 * The nifty useless model: it cannot predict anything, but it can add.
 *
 * The sum comes from decimal.js, this project's one runtime dependency. The point is not the
 * arithmetic but the dependency: package.json names it, package-lock.json pins its exact version
 * and checksum, and the Docker image installs exactly that, on every machine.
 */
import { Decimal } from 'decimal.js';

const sum = new Decimal(1).plus(1);
console.log(`I can't predict anything, but I know that 1 + 1 = ${sum.toString()}.`);
