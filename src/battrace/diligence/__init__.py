"""Due diligence: questionnaires, requests and responses, evidence, smelter/refiner lists and
risk roll-up."""
