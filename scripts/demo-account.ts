/** The demo account `npm run seed-data` creates. LOCAL USE ONLY: these credentials are public. */
export const demoAccount = {
  email: 'demo@analytics.local',
  password: 'demo-Analyst-sunflower-42',
  displayName: 'Demo Analyst',
};
