"""Extension singletons, bound to an app in :func:`peerlearn.create_app`."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from peerlearn.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# The base class of every model. At runtime it is ``db.Model``, the subclass of ``Base``
# that Flask-SQLAlchemy builds (table name, bind key, metadata of this ``db``). A type
# checker cannot take an attribute of an object as a base class, so it checks the models
# against ``Base`` itself: the mapped columns and relationships are the same.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
