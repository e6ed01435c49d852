/** The nifty useless model's forecast: always right, and stamped with the time it was made. */
const now = new Date().toISOString();
console.log(`Forecast made at ${now}: tomorrow comes after today.`);
